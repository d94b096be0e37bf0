package tokend

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/podpis/podpis/sign/pkcs11"
)

// The events WebSocket (issue 9: "Token insert/remove events are pushed over
// the WebSocket"; ANCHORS §6 items 1 and 10).
//
// A page opens ws://127.0.0.1:<port>/v1/events offering the subprotocol
// EventsSubprotocol (RFC 6455 §1.9 and §4.1: Sec-WebSocket-Protocol is the
// one request header a page can choose on a WebSocket, so it carries the
// protocol version; the path carries it too). The upgrade passes the same
// gate as every request (Host, exact Origin: CSWSH) and is then checked
// here: GET, the subprotocol offered, and the number of connections. The
// daemon sends, server to client only, JSON text messages:
//
//	{"type":"snapshot","protocol":"1","tokens":[TokenStatus…]}    first, once
//	{"type":"token","event":"inserted","token":TokenStatus}
//	{"type":"token","event":"removed","token":TokenStatus}
//	{"type":"token","event":"changed","token":TokenStatus}  pinLocked, pinPad or problem changed
//
// A data message from the page closes the connection (1008, policy
// violation; RFC 6455 §7.4.1). The daemon pings every EventsPing and closes
// a connection whose pong does not come within EventsPongWait; a client that
// does not read its messages (more than eventsQueue behind) is closed with
// 1013 (try again later; IANA WebSocket close codes).
//
// Slots are polled every Config.EventInterval (500 ms by default) through
// sign/pkcs11.ListTokens, only while at least one page is connected, with
// the modules kept loaded meanwhile (sign/pkcs11.KeepLoaded).
// C_WaitForSlotEvent (PKCS#11 v2.40 §5.5) is not used: sign/pkcs11 has no
// call for it yet, and the test token (testdata/gosttoken) answers it with
// CKR_FUNCTION_NOT_SUPPORTED, as SoftHSM2 does, so no module here could
// test it; polling is what a module without it needs in any case.

// EventsSubprotocol is the WebSocket subprotocol of protocol version
// Protocol: new WebSocket(url, ["tokend.v1"]).
const EventsSubprotocol = "tokend.v" + Protocol

// DefaultEventInterval is how often slots are polled while a page listens.
const DefaultEventInterval = 500 * time.Millisecond

// Limits of the events WebSocket. A page needs one connection; a few cover
// several tabs of the same site.
const (
	maxEventConns          = 32
	maxEventConnsPerOrigin = 4
	eventsQueue            = 64
	// EventsPing is the keepalive interval and EventsPongWait how long a
	// pong may take (RFC 6455 §5.5.2, §5.5.3).
	EventsPing     = 30 * time.Second
	EventsPongWait = 10 * time.Second
	eventsWrite    = 10 * time.Second
)

// CodeTooManyConnections refuses an events WebSocket over the limits above.
const CodeTooManyConnections Code = "TOO_MANY_CONNECTIONS"

func init() { status[CodeTooManyConnections] = http.StatusServiceUnavailable }

// TokenEvent is one message of the events WebSocket.
type TokenEvent struct {
	Type     string        `json:"type"`            // "snapshot" or "token"
	Event    string        `json:"event,omitempty"` // "inserted", "removed" or "changed"
	Protocol string        `json:"protocol,omitempty"`
	Token    *TokenStatus  `json:"token,omitempty"`
	Tokens   []TokenStatus `json:"tokens,omitempty"`
}

// watcher polls the modules' slots while subscribers exist and fans the
// changes out to them.
type watcher struct {
	s        *Server
	interval time.Duration
	list     func(ctx context.Context, module string) ([]pkcs11.TokenInfo, error)
	// ping and pongWait are EventsPing and EventsPongWait (shorter in tests).
	ping, pongWait time.Duration

	mu        sync.Mutex
	subs      map[*subscriber]bool
	perOrigin map[string]int
	state     map[string]TokenStatus // slot key → present token
	stop      context.CancelFunc     // nil while not polling
	polls     int                    // for tests: polls made
	// gen changes each time polling starts or stops; a poll of an
	// earlier generation is thrown away.
	gen atomic.Int64

	// pollMu guards what only polls use (taken after mu, never before).
	pollMu  sync.Mutex
	held    map[string]func() // modules kept loaded while polling (pkcs11.KeepLoaded)
	failing map[string]bool   // modules whose last poll failed (logged once)
}

type subscriber struct {
	origin string
	ch     chan []byte
	lagged chan struct{} // closed when the queue overflowed
}

func newWatcher(s *Server) *watcher {
	iv := s.cfg.EventInterval
	if iv <= 0 {
		iv = DefaultEventInterval
	}
	return &watcher{s: s, interval: iv, list: pkcs11.ListTokens, ping: EventsPing, pongWait: EventsPongWait,
		subs: map[*subscriber]bool{}, perOrigin: map[string]int{}, held: map[string]func(){}, failing: map[string]bool{}}
}

// slotKey names a slot and the token in it: a token swapped for another in
// the same slot between two polls is a removal and an insertion.
func slotKey(module string, ti pkcs11.TokenInfo) string {
	return module + "\x00" + strconv.FormatUint(uint64(ti.SlotID), 10) + "\x00" + ti.Serial + "\x00" + ti.Label
}

func tokenStatus(ti pkcs11.TokenInfo) TokenStatus {
	return TokenStatus{Label: ti.Label, Manufacturer: ti.Manufacturer, Model: ti.Model, Serial: ti.Serial,
		PINPad: pinPad(ti), PINLocked: pinLocked(ti), Problem: ti.Problem}
}

// poll lists every module's present tokens; nil when generation gen has
// ended. While polling, each module is kept loaded (pkcs11.KeepLoaded: a
// listing costs a C_Initialize and a C_Finalize otherwise); one that fails
// to load is tried again at the next poll. A module that fails keeps its
// last known tokens (a transient failure is not a removal) and is logged
// when it starts failing.
func (w *watcher) poll(ctx context.Context, gen int64, prev map[string]TokenStatus) map[string]TokenStatus {
	next := make(map[string]TokenStatus, len(prev))
	for _, m := range w.s.cfg.Modules {
		w.pollMu.Lock()
		if w.gen.Load() != gen || ctx.Err() != nil {
			w.pollMu.Unlock()
			return nil
		}
		if w.held[m] == nil {
			if release, err := pkcs11.KeepLoaded(m); err == nil {
				w.held[m] = release
			}
		}
		w.pollMu.Unlock()
		list, err := w.list(ctx, m)
		if ctx.Err() != nil {
			return nil
		}
		w.pollMu.Lock()
		wasFailing := w.failing[m]
		w.failing[m] = err != nil
		w.pollMu.Unlock()
		if err != nil {
			if !wasFailing {
				w.s.log.Warn("events: PKCS#11 module", "module", m, "err", err)
			}
			for k, v := range prev {
				if strings.HasPrefix(k, m+"\x00") {
					next[k] = v
				}
			}
			continue
		}
		for _, ti := range list {
			if ti.Present {
				next[slotKey(m, ti)] = tokenStatus(ti)
			}
		}
	}
	return next
}

// subscribe registers a page. The first subscriber polls once (so that its
// snapshot is the present state) and starts the polling loop.
func (w *watcher) subscribe(ctx context.Context, origin string) (*subscriber, []TokenStatus, *Error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.subs) >= maxEventConns {
		return nil, nil, apiErr(CodeTooManyConnections, "too many event connections", fmt.Errorf("%d open", len(w.subs)))
	}
	if w.perOrigin[origin] >= maxEventConnsPerOrigin {
		return nil, nil, apiErr(CodeTooManyConnections, "too many event connections from this site", fmt.Errorf("%d open for the origin", w.perOrigin[origin]))
	}
	if w.stop == nil {
		// The first page: poll once for its snapshot (holding mu, so that
		// other pages wait for it), then start the loop.
		gen := w.gen.Add(1)
		lctx, cancel := context.WithCancel(w.s.base)
		state := w.poll(ctx, gen, nil)
		if state == nil {
			cancel()
			w.gen.Add(1)
			w.releaseModules()
			return nil, nil, apiErr(CodeUserCancelled, "the connection was closed", ctx.Err())
		}
		w.state, w.stop = state, cancel
		go w.loop(lctx, gen)
	}
	sub := &subscriber{origin: origin, ch: make(chan []byte, eventsQueue), lagged: make(chan struct{})}
	w.subs[sub] = true
	w.perOrigin[origin]++
	snap := make([]TokenStatus, 0, len(w.state))
	for _, k := range sortedKeys(w.state) {
		snap = append(snap, w.state[k])
	}
	return sub, snap, nil
}

// unsubscribe removes a page; the last one stops the polling.
func (w *watcher) unsubscribe(sub *subscriber) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.subs[sub] {
		return
	}
	delete(w.subs, sub)
	if w.perOrigin[sub.origin]--; w.perOrigin[sub.origin] == 0 {
		delete(w.perOrigin, sub.origin)
	}
	if len(w.subs) == 0 && w.stop != nil {
		w.stop()
		w.stop, w.state = nil, nil
		w.gen.Add(1)
		w.releaseModules()
	}
}

// releaseModules lets go of the modules held for polling.
func (w *watcher) releaseModules() {
	w.pollMu.Lock()
	defer w.pollMu.Unlock()
	for m, release := range w.held {
		release()
		delete(w.held, m)
	}
}

// running reports whether the polling loop is on (for tests).
func (w *watcher) running() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stop != nil
}

func sortedKeys(m map[string]TokenStatus) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (w *watcher) loop(ctx context.Context, gen int64) {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		w.mu.Lock()
		prev := w.state
		w.mu.Unlock()
		next := w.poll(ctx, gen, prev)
		w.mu.Lock()
		w.polls++
		if next == nil || w.gen.Load() != gen {
			w.mu.Unlock()
			return
		}
		w.state = next
		w.broadcast(prev, next)
		w.mu.Unlock()
	}
}

// broadcast sends what changed from prev to next; w.mu is held.
func (w *watcher) broadcast(prev, next map[string]TokenStatus) {
	var msgs [][]byte
	for _, k := range sortedKeys(prev) {
		if _, ok := next[k]; !ok {
			t := prev[k]
			msgs = append(msgs, mustJSON(TokenEvent{Type: "token", Event: "removed", Token: &t}))
		}
	}
	for _, k := range sortedKeys(next) {
		t := next[k]
		switch p, ok := prev[k]; {
		case !ok:
			msgs = append(msgs, mustJSON(TokenEvent{Type: "token", Event: "inserted", Token: &t}))
		case p.PINLocked != t.PINLocked || p.PINPad != t.PINPad || p.Problem != t.Problem:
			// The same token in the same slot, in another state (its PIN
			// locked by wrong tries, unlocked by the SO; ANCHORS §6 item
			// 10, "slot changes").
			msgs = append(msgs, mustJSON(TokenEvent{Type: "token", Event: "changed", Token: &t}))
		}
	}
	for _, m := range msgs {
		for sub := range w.subs {
			select {
			case sub.ch <- m:
			default:
				// A page that does not read is cut off rather than
				// making the daemon hold its messages.
				select {
				case <-sub.lagged:
				default:
					close(sub.lagged)
				}
			}
		}
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // TokenEvent has only strings, bools and slices of them
	}
	return b
}

// offeredSubprotocols lists the Sec-WebSocket-Protocol tokens of r.
func offeredSubprotocols(r *http.Request) []string {
	var out []string
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// serveEvents answers an upgrade to /v1/events from an allowed origin (the
// gate in ServeHTTP has checked Host and Origin).
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request, rec *record, origin string) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		s.fail(w, rec, apiErr(CodeMethodNotAllowed, "the events WebSocket is opened with GET", fmt.Errorf("method %s", r.Method)), origin)
		return
	}
	offered := offeredSubprotocols(r)
	if !slices.Contains(offered, EventsSubprotocol) {
		if len(offered) == 0 {
			s.fail(w, rec, apiErr(CodeBadRequest, "offer the WebSocket subprotocol "+EventsSubprotocol, nil), origin)
		} else {
			s.fail(w, rec, apiErr(CodeVersionMismatch, "this tokend speaks "+EventsSubprotocol, fmt.Errorf("subprotocols %q", offered)), origin)
		}
		return
	}
	sub, snap, e := s.events.subscribe(r.Context(), origin)
	if e != nil {
		s.fail(w, rec, e, origin)
		return
	}
	defer s.events.unsubscribe(sub)
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols: []string{EventsSubprotocol},
		// The gate compared the Origin header with the allowlist exactly
		// (scheme, host, port); the library's own check compares it with
		// Host, which for a loopback daemon never matches.
		InsecureSkipVerify: true,
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		// Accept has answered (a malformed handshake: 400 or 426).
		rec.code, rec.status = CodeBadRequest, http.StatusBadRequest
		rec.extra = append(rec.extra, "cause", err.Error())
		return
	}
	rec.code, rec.status = "OK", http.StatusSwitchingProtocols
	c.SetReadLimit(1024)
	s.log.Info("events connected", "origin", origin, "tokens", len(snap))
	reason := s.pump(c, sub, snap)
	s.log.Info("events disconnected", "origin", origin, "reason", reason)
}

// pump writes the snapshot and then the events until the page goes, the
// keepalive fails, the page lags or the server shuts down.
func (s *Server) pump(c *websocket.Conn, sub *subscriber, snap []TokenStatus) string {
	defer c.CloseNow()
	// The reader answers pings and close frames (inside Read) and closes
	// the connection on a data message with 1008, or on one over the read
	// limit with 1009. ctx ends when the connection does. (Conn.CloseRead
	// would do the same, but it closes while still holding the message it
	// read, so its close handshake waits out the library's timeouts.)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer cancel()
		if _, _, err := c.Read(context.Background()); err == nil {
			c.Close(websocket.StatusPolicyViolation, "tokend sends, pages do not")
		}
	}()
	write := func(msg []byte) error {
		wctx, cancel := context.WithTimeout(ctx, eventsWrite)
		defer cancel()
		return c.Write(wctx, websocket.MessageText, msg)
	}
	if err := write(mustJSON(TokenEvent{Type: "snapshot", Protocol: Protocol, Tokens: snap})); err != nil {
		return "write: " + err.Error()
	}
	ping := time.NewTicker(s.events.ping)
	defer ping.Stop()
	for {
		select {
		case <-s.base.Done():
			c.Close(websocket.StatusGoingAway, "tokend is stopping")
			return "shutdown"
		case <-ctx.Done():
			return "closed by the page"
		case <-sub.lagged:
			c.Close(websocket.StatusTryAgainLater, "too many unread events")
			return "lagged"
		case msg := <-sub.ch:
			if err := write(msg); err != nil {
				return "write: " + err.Error()
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, s.events.pongWait)
			err := c.Ping(pctx)
			cancel()
			if err != nil {
				// A page that does not answer is not waited for once more
				// for a close handshake: the deferred CloseNow drops it.
				return "keepalive: " + err.Error()
			}
		}
	}
}
