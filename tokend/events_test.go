package tokend

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/podpis/podpis/tokend/tokendtest"
)

// dialEvents opens the events WebSocket as a page of origin would.
func dialEvents(ctx context.Context, s *Server, origin string, subprotocols ...string) (*websocket.Conn, *http.Response, error) {
	if subprotocols == nil {
		subprotocols = []string{EventsSubprotocol}
	}
	return websocket.Dial(ctx, "ws://127.0.0.1:"+strconv.Itoa(s.Port())+"/v1/events", &websocket.DialOptions{
		HTTPHeader:   http.Header{"Origin": {origin}},
		Subprotocols: subprotocols,
	})
}

func mustDial(t *testing.T, s *Server, origin string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := dialEvents(ctx, s, origin)
	if err != nil {
		t.Fatalf("dial events: %v (%v)", err, resp)
	}
	if c.Subprotocol() != EventsSubprotocol {
		t.Errorf("subprotocol %q", c.Subprotocol())
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func readEvent(t *testing.T, c *websocket.Conn, within time.Duration) TokenEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	typ, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read event: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("message type %v", typ)
	}
	var ev TokenEvent
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("event %s: %v", data, err)
	}
	return ev
}

func labels(ts []TokenStatus) string {
	var l []string
	for _, t := range ts {
		l = append(l, t.Label)
	}
	return strings.Join(l, ",")
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEventsInsertRemove: the page gets a snapshot, then the removal and
// the re-insertion of the GOST test token; polling runs only while a page
// listens.
func TestEventsInsertRemove(t *testing.T) {
	tk := tokendtest.New(t, 2)
	s, logs := startServer(t, Config{Origins: []string{portal}, Modules: []string{tk.Module}, EventInterval: 20 * time.Millisecond})

	time.Sleep(100 * time.Millisecond)
	s.events.mu.Lock()
	polled := s.events.polls
	s.events.mu.Unlock()
	if s.events.running() || polled != 0 {
		t.Fatalf("polling without a page listening (%d polls)", polled)
	}
	c := mustDial(t, s, portal)
	snap := readEvent(t, c, 5*time.Second)
	if snap.Type != "snapshot" || snap.Protocol != Protocol || labels(snap.Tokens) != "g0,g1" {
		t.Fatalf("snapshot %+v", snap)
	}
	if snap.Tokens[0].Serial == "" || snap.Tokens[0].Model != "gosttoken" || snap.Tokens[0].Manufacturer != "podpis test" {
		t.Errorf("token %+v", snap.Tokens[0])
	}
	serial1 := snap.Tokens[1].Serial

	tk.Remove(1)
	ev := readEvent(t, c, 5*time.Second)
	if ev.Type != "token" || ev.Event != "removed" || ev.Token == nil || ev.Token.Label != "g1" || ev.Token.Serial != serial1 {
		t.Fatalf("after removal: %+v", ev)
	}
	// A second page connecting now sees one token.
	c2 := mustDial(t, s, portal)
	if snap2 := readEvent(t, c2, 5*time.Second); labels(snap2.Tokens) != "g0" {
		t.Errorf("second snapshot %+v", snap2)
	}
	tk.Insert(1)
	for _, cc := range []*websocket.Conn{c, c2} {
		ev = readEvent(t, cc, 5*time.Second)
		if ev.Type != "token" || ev.Event != "inserted" || ev.Token == nil || ev.Token.Label != "g1" || ev.Token.Serial != serial1 {
			t.Fatalf("after insertion: %+v", ev)
		}
	}
	// Both tokens removed between two polls: two events, in a stable order.
	tk.Remove(0)
	tk.Remove(1)
	for _, want := range []string{"g0", "g1"} {
		if ev = readEvent(t, c, 5*time.Second); ev.Event != "removed" || ev.Token.Label != want {
			// The two removals may land in different polls; the order is
			// the same either way.
			t.Fatalf("removal of %s: %+v", want, ev)
		}
	}

	c.Close(websocket.StatusNormalClosure, "")
	c2.Close(websocket.StatusNormalClosure, "")
	waitFor(t, "polling to stop", func() bool { return !s.events.running() })
	s.events.mu.Lock()
	n := s.events.polls
	s.events.mu.Unlock()
	time.Sleep(100 * time.Millisecond)
	s.events.mu.Lock()
	after := s.events.polls
	s.events.mu.Unlock()
	if after > n+1 {
		t.Errorf("%d polls after the last page left", after-n)
	}
	if !strings.Contains(logs.String(), `"msg":"events disconnected"`) {
		t.Errorf("log:\n%s", logs.String())
	}
}

// TestEventsGate: the upgrade is refused to foreign origins, rebinding
// Hosts, origins the policy has not allowed yet, without the subprotocol,
// and over the connection limits.
func TestEventsGate(t *testing.T) {
	pol := &mapPolicy{m: map[string]Consent{"https://ask.example": ConsentAsk}}
	s, logs := startServer(t, Config{Origins: []string{portal, "https://other.example"}, Policy: pol})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, tc := range []struct {
		name, origin string
		proto        []string
		status       int
	}{
		{"foreign origin", "https://evil.example", nil, 403},
		{"origin to ask about", "https://ask.example", nil, 403},
		{"no subprotocol", portal, []string{}, 400},
		{"other version", portal, []string{"tokend.v2"}, 400},
	} {
		c, resp, err := dialEvents(ctx, s, tc.origin, tc.proto...)
		if err == nil {
			c.CloseNow()
			t.Errorf("%s: connected", tc.name)
			continue
		}
		if resp == nil || resp.StatusCode != tc.status {
			t.Errorf("%s: %v %v, want %d", tc.name, err, resp, tc.status)
		}
	}
	if pol.asked() != 0 {
		t.Error("the events WebSocket asked the policy to remember")
	}
	// DNS rebinding (the dialler cannot set Host; the gate case does).
	resp, body := doGate(t, s.Port(), gateCase{method: "GET", path: "/v1/events", host: "rebind.example:" + strconv.Itoa(s.Port()),
		origins: []string{portal}, ctype: "-", proto: []string{}, header: wsHeadersProto})
	if resp.StatusCode != 403 || !strings.Contains(string(body), string(CodeHostNotAllowed)) {
		t.Errorf("rebinding Host: %d %s", resp.StatusCode, body)
	}

	// Limits: per origin, then the same origin again once one leaves.
	var conns []*websocket.Conn
	for range maxEventConnsPerOrigin {
		conns = append(conns, mustDial(t, s, portal))
	}
	c, resp, err := dialEvents(ctx, s, portal)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("connection over the per-origin limit: %v %v", err, resp)
		if c != nil {
			c.CloseNow()
		}
	}
	mustDial(t, s, "https://other.example") // another site is not starved
	conns[0].Close(websocket.StatusNormalClosure, "")
	waitFor(t, "a slot to free", func() bool {
		s.events.mu.Lock()
		defer s.events.mu.Unlock()
		return s.events.perOrigin[portal] < maxEventConnsPerOrigin
	})
	mustDial(t, s, portal)
	if !strings.Contains(logs.String(), string(CodeTooManyConnections)) {
		t.Error("the refused connection is not in the log")
	}
}

var wsHeadersProto = map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
	"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": EventsSubprotocol}

// TestEventsServerToClientOnly: a data message from the page closes the
// connection with 1008 (RFC 6455 §7.4.1).
func TestEventsServerToClientOnly(t *testing.T) {
	s, _ := startServer(t, Config{Origins: []string{portal}})
	c := mustDial(t, s, portal)
	readEvent(t, c, 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"hello"}`)); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.Read(ctx)
	if st := websocket.CloseStatus(err); st != websocket.StatusPolicyViolation {
		t.Errorf("after a page's message: %v (status %d)", err, st)
	}
	waitFor(t, "the subscriber to go", func() bool { return !s.events.running() })
}

// TestEventsKeepalive: a page that answers pings stays; one that does not
// is closed after the pong wait; Shutdown says "going away" (1001).
func TestEventsKeepalive(t *testing.T) {
	s, logs := startServer(t, Config{Origins: []string{portal}})
	s.events.ping, s.events.pongWait = 30*time.Millisecond, 100*time.Millisecond

	live := mustDial(t, s, portal)
	readEvent(t, live, 5*time.Second)
	liveCtx := live.CloseRead(context.Background()) // reads, so answers pings
	dead := mustDial(t, s, portal)                  // never reads: no pong

	waitFor(t, "the silent page to be closed", func() bool { return strings.Contains(logs.String(), "keepalive") })
	time.Sleep(200 * time.Millisecond)
	if liveCtx.Err() != nil {
		t.Fatal("the page that answers pings was closed")
	}
	s.events.mu.Lock()
	n := len(s.events.subs)
	s.events.mu.Unlock()
	if n != 1 {
		t.Errorf("%d subscribers, want 1", n)
	}
	_ = dead

	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Shutdown(sctx)
	<-liveCtx.Done()
	waitFor(t, "the shutdown to be logged", func() bool { return strings.Contains(logs.String(), `"reason":"shutdown"`) })
}

// TestEventsLag: a page that does not read its events is cut off instead
// of the daemon queueing them.
func TestEventsLag(t *testing.T) {
	s, err := New(Config{Origins: []string{portal}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	sub, _, e := s.events.subscribe(context.Background(), portal)
	if e != nil {
		t.Fatal(e)
	}
	defer s.events.unsubscribe(sub)
	a := map[string]TokenStatus{"k": {Label: "g0"}}
	s.events.mu.Lock()
	for i := range eventsQueue + 1 {
		if i%2 == 0 {
			s.events.broadcast(nil, a)
		} else {
			s.events.broadcast(a, nil)
		}
	}
	s.events.mu.Unlock()
	select {
	case <-sub.lagged:
	default:
		t.Fatal("not marked as lagging")
	}
	if len(sub.ch) != eventsQueue {
		t.Errorf("%d queued", len(sub.ch))
	}
}

// TestEventsModuleFailure: a module that fails to load is logged once,
// tried again at each poll, and its tokens appear when it loads.
func TestEventsModuleFailure(t *testing.T) {
	tk := tokendtest.New(t, 1)
	s, logs := startServer(t, Config{Origins: []string{portal}, Modules: []string{tk.Module}, EventInterval: 20 * time.Millisecond})
	// The test token refuses C_Initialize with GOSTTOKEN_SLOTS out of range.
	t.Setenv("GOSTTOKEN_SLOTS", "0")
	sub, snap, e := s.events.subscribe(context.Background(), portal)
	if e != nil {
		t.Fatal(e)
	}
	defer s.events.unsubscribe(sub)
	if len(snap) != 0 {
		t.Fatalf("snapshot %+v", snap)
	}
	polls := func() int { s.events.mu.Lock(); defer s.events.mu.Unlock(); return s.events.polls }
	waitFor(t, "five polls", func() bool { return polls() >= 5 })
	if len(sub.ch) != 0 {
		t.Errorf("%d events from a module that failed to load: %s", len(sub.ch), <-sub.ch)
	}
	if c := strings.Count(logs.String(), "events: PKCS#11 module"); c != 1 {
		t.Errorf("module failure logged %d times:\n%s", c, logs.String())
	}
	t.Setenv("GOSTTOKEN_SLOTS", "1")
	select {
	case m := <-sub.ch:
		var ev TokenEvent
		if err := json.Unmarshal(m, &ev); err != nil || ev.Event != "inserted" || ev.Token.Label != "g0" {
			t.Errorf("after the module loaded: %s", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event after the module loaded")
	}
	s.events.pollMu.Lock()
	held := len(s.events.held)
	s.events.pollMu.Unlock()
	if held != 1 {
		t.Errorf("%d modules held while polling", held)
	}
	s.events.unsubscribe(sub)
	s.events.pollMu.Lock()
	held = len(s.events.held)
	s.events.pollMu.Unlock()
	if held != 0 {
		t.Errorf("%d modules held after the last page left", held)
	}
}

// TestEventsChanged: a token whose PIN gets locked by wrong tries is
// "changed", not removed and inserted.
func TestEventsChanged(t *testing.T) {
	s, _, pe, _ := tokenServer(t, Config{EventInterval: 20 * time.Millisecond})
	c := mustDial(t, s, portal)
	if snap := readEvent(t, c, 5*time.Second); len(snap.Tokens) != 1 || snap.Tokens[0].PINLocked {
		t.Fatalf("snapshot %+v", snap)
	}
	pe.set("", "00000000", "")
	for range 3 {
		authenticate(t, s, portal, map[string]any{"nonce": nonce})
	}
	ev := readEvent(t, c, 5*time.Second)
	if ev.Type != "token" || ev.Event != "changed" || ev.Token == nil || !ev.Token.PINLocked || ev.Token.Label != "g0" {
		t.Errorf("after the PIN was locked: %+v", ev)
	}
}

// BenchmarkEventsPoll is one poll of one GOST test token: with the module
// held loaded while pages listen (what the watcher does), and, for
// comparison, a listing that loads and initialises the module each time.
func BenchmarkEventsPoll(b *testing.B) {
	tk := tokendtest.New(b, 1)
	s, err := New(Config{Modules: []string{tk.Module}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.stop()
	ctx := context.Background()
	b.Run("held", func(b *testing.B) {
		gen := s.events.gen.Add(1)
		defer s.events.releaseModules()
		for b.Loop() {
			if st := s.events.poll(ctx, gen, nil); len(st) != 1 {
				b.Fatalf("%d tokens", len(st))
			}
		}
	})
	b.Run("reloaded", func(b *testing.B) {
		for b.Loop() {
			if l, err := s.events.list(ctx, tk.Module); err != nil || len(l) != 1 {
				b.Fatal(err)
			}
		}
	})
}
