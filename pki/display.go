package pki

import (
	"fmt"
	"strings"

	"github.com/podpis/podpis/gost/gost3410"
)

// Summary describes the certificate in Russian, one "label: value" line per
// item, in the order FACTS §6.3 lists what a verifier shows: holder, issuer,
// serial number, validity and private key usage period, key algorithm and
// parameter set, sign tool class, the sign tools and the identification kind.
// Items the certificate lacks are left out. Times are shown in UTC.
func (c *Certificate) Summary() string {
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s: %s\n", label, value)
		}
	}
	const layout = "02.01.2006 15:04:05 UTC"
	line("Владелец", c.SubjectName.String())
	line("Издатель", c.IssuerName.String())
	line("Серийный номер", fmt.Sprintf("%X", c.SerialNumber))
	line("Действителен", fmt.Sprintf("с %s по %s", c.NotBefore.UTC().Format(layout), c.NotAfter.UTC().Format(layout)))
	if p := c.PrivateKeyUsagePeriod; p != nil {
		line("Срок действия ключа", periodString(p, layout))
	}
	line("Ключ", keyDescription(c))
	if len(c.SignToolClasses) > 0 {
		names := make([]string, len(c.SignToolClasses))
		for i, k := range c.SignToolClasses {
			names[i] = k.String()
		}
		line("Класс средства ЭП", strings.Join(names, ", "))
	}
	line("Средство ЭП владельца", c.SubjectSignTool)
	if t := c.IssuerSignTool; t != nil {
		line("Средство ЭП издателя", t.SignTool)
		line("Средство УЦ издателя", t.CATool)
		line("Заключение на средство ЭП", t.SignToolCert)
		line("Заключение на средство УЦ", t.CAToolCert)
	}
	if k := c.IdentificationKind; k != nil {
		line("Идентификация владельца", k.String())
	}
	return b.String()
}

func periodString(p *Period, layout string) string {
	var parts []string
	if !p.NotBefore.IsZero() {
		parts = append(parts, "с "+p.NotBefore.UTC().Format(layout))
	}
	if !p.NotAfter.IsZero() {
		parts = append(parts, "по "+p.NotAfter.UTC().Format(layout))
	}
	return strings.Join(parts, " ")
}

// keyDescription names the key algorithm and, for GOST, the parameter set.
func keyDescription(c *Certificate) string {
	switch k := c.PublicKey.(type) {
	case *gost3410.PublicKey:
		return fmt.Sprintf("ГОСТ Р 34.10-2012 (%d бит), %s", 8*k.ParamSet().Size(), k.ParamSet())
	case nil:
		if c.keyErr != nil {
			return "не поддерживается: " + c.keyErr.Error()
		}
		return ""
	}
	return c.PublicKeyAlgorithm.String()
}
