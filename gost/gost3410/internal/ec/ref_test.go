package ec

// A slow, straightforward math/big model of the curve equations of
// GOST R 34.10-2012 §5–6 (FACTS §2.1). Variable time.

import "math/big"

type refPoint struct {
	x, y *big.Int
	inf  bool
}

type refCurve struct {
	p, a, b, q, gx, gy *big.Int
}

func newRefCurve(pp *Params) *refCurve {
	return &refCurve{p: pp.P, a: pp.A, b: pp.B, q: pp.Q, gx: pp.X, gy: pp.Y}
}

func (c *refCurve) onCurve(x, y *big.Int) bool {
	if x.Sign() < 0 || y.Sign() < 0 || x.Cmp(c.p) >= 0 || y.Cmp(c.p) >= 0 {
		return false
	}
	l := new(big.Int).Mul(y, y)
	r := new(big.Int).Mul(x, x)
	r.Add(r, c.a).Mul(r, x).Add(r, c.b)
	return l.Sub(l, r).Mod(l, c.p).Sign() == 0
}

func (c *refCurve) add(p1, p2 refPoint) refPoint {
	if p1.inf {
		return p2
	}
	if p2.inf {
		return p1
	}
	p := c.p
	var lambda *big.Int
	if p1.x.Cmp(p2.x) == 0 {
		if new(big.Int).Add(p1.y, p2.y).Mod(new(big.Int).Add(p1.y, p2.y), p).Sign() == 0 {
			return refPoint{inf: true}
		}
		// λ = (3x² + a) / 2y
		num := new(big.Int).Mul(p1.x, p1.x)
		num.Mul(num, big.NewInt(3)).Add(num, c.a)
		den := new(big.Int).Lsh(p1.y, 1)
		lambda = num.Mul(num, den.ModInverse(den.Mod(den, p), p))
	} else {
		num := new(big.Int).Sub(p2.y, p1.y)
		den := new(big.Int).Sub(p2.x, p1.x)
		den.Mod(den, p)
		lambda = num.Mul(num, den.ModInverse(den, p))
	}
	lambda.Mod(lambda, p)
	x3 := new(big.Int).Mul(lambda, lambda)
	x3.Sub(x3, p1.x).Sub(x3, p2.x).Mod(x3, p)
	y3 := new(big.Int).Sub(p1.x, x3)
	y3.Mul(y3, lambda).Sub(y3, p1.y).Mod(y3, p)
	return refPoint{x: x3, y: y3}
}

func (c *refCurve) mul(k *big.Int, pt refPoint) refPoint {
	r := refPoint{inf: true}
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = c.add(r, r)
		if k.Bit(i) == 1 {
			r = c.add(r, pt)
		}
	}
	return r
}

func (c *refCurve) base() refPoint { return refPoint{x: c.gx, y: c.gy} }

// sign follows FACTS §2.1; ok is false when r or s is zero.
func (c *refCurve) sign(d, alpha, k *big.Int) (r, s *big.Int, ok bool) {
	e := new(big.Int).Mod(alpha, c.q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	C := c.mul(k, c.base())
	if C.inf {
		return nil, nil, false
	}
	r = new(big.Int).Mod(C.x, c.q)
	s = new(big.Int).Mul(r, d)
	s.Add(s, new(big.Int).Mul(k, e)).Mod(s, c.q)
	return r, s, r.Sign() != 0 && s.Sign() != 0
}

func (c *refCurve) verify(qx, qy, alpha, r, s *big.Int) bool {
	if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(c.q) >= 0 || s.Cmp(c.q) >= 0 {
		return false
	}
	if !c.onCurve(qx, qy) {
		return false
	}
	e := new(big.Int).Mod(alpha, c.q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	v := new(big.Int).ModInverse(e, c.q)
	z1 := new(big.Int).Mul(s, v)
	z1.Mod(z1, c.q)
	z2 := new(big.Int).Mul(r, v)
	z2.Neg(z2).Mod(z2, c.q)
	C := c.add(c.mul(z1, c.base()), c.mul(z2, refPoint{x: qx, y: qy}))
	if C.inf {
		return false
	}
	return new(big.Int).Mod(C.x, c.q).Cmp(r) == 0
}
