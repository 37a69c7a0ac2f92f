package dbtest

import (
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/db"
)

// Proxy is a TCP proxy in front of the test server that a test can make
// refuse connections, stall (accept and never answer), or slow down.
type Proxy struct {
	t      testing.TB
	target string
	addr   string

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever the mode changes
	ln      net.Listener
	stalled bool
	latency time.Duration
	conns   map[net.Conn]struct{}
}

// NewProxy listens on a free local port and forwards to the test server,
// or to TEST_POOLER_URL's pooler when that is set.
func NewProxy(t testing.TB) *Proxy {
	t.Helper()
	server := ServerURL(t)
	if pooler := poolerURL(t); pooler != nil {
		server = pooler
	}
	ln, err := listenBelowEphemeral()
	if err != nil {
		t.Fatalf("dbtest: proxy listen: %v", err)
	}
	p := &Proxy{t: t, target: server.Host, addr: ln.Addr().String(), ln: ln,
		changed: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	go p.accept(ln)
	t.Cleanup(func() { p.Refuse() })
	return p
}

// listenBelowEphemeral listens on a free port below the kernel's ephemeral
// range. While a proxy refuses, clients keep connecting to its port; one
// whose ephemeral source port happens to be that very port connects to
// itself (a TCP self-connect) and holds the port, so that Pass could not
// listen on it again. Source ports never come from below the range.
func listenBelowEphemeral() (net.Listener, error) {
	low := 32768 // Linux's default start of the range
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				low = n
			}
		}
	}
	const first = 10000
	if low <= first {
		return net.Listen("tcp", "127.0.0.1:0")
	}
	var err error
	for range 100 {
		var ln net.Listener
		port := first + rand.IntN(low-first) //nolint:gosec // spreads test listeners over ports; nothing secret
		if ln, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
			return ln, nil
		}
	}
	return nil, err
}

// URL is conn with its host replaced by the proxy's address.
func (p *Proxy) URL(conn db.ConnString) db.ConnString {
	u, err := url.Parse(conn.Value())
	if err != nil {
		p.t.Fatalf("dbtest: proxy URL: %v", err)
	}
	u.Host = p.addr
	return db.NewConnString(u.String())
}

// Refuse closes the listener and every connection: clients get "connection refused".
func (p *Proxy) Refuse() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.notify()
}

// Stall keeps accepting connections and holding them, but forwards nothing
// in either direction, like a server that hangs.
func (p *Proxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = true
	p.notify()
}

// SetLatency delays every chunk the server sends by d.
func (p *Proxy) SetLatency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
	p.notify()
}

// Pass restores normal forwarding, listening again if the proxy was refusing.
func (p *Proxy) Pass() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = false
	p.latency = 0
	if p.ln == nil {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			p.t.Errorf("dbtest: proxy listen again on %s: %v", p.addr, err)
			return
		}
		p.ln = ln
		go p.accept(ln)
	}
	p.notify()
}

func (p *Proxy) notify() {
	close(p.changed)
	p.changed = make(chan struct{})
}

func (p *Proxy) accept(ln net.Listener) {
	for {
		client, err := ln.Accept()
		if err != nil {
			return
		}
		go p.handle(client)
	}
}

func (p *Proxy) handle(client net.Conn) {
	if !p.track(client) {
		return
	}
	defer p.untrack(client)
	// A stalled proxy holds the client without even reaching the server.
	if !p.wait(client) {
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	if !p.track(server) {
		return
	}
	defer p.untrack(server)
	done := make(chan struct{}, 2)
	go func() { p.pump(server, client, false); done <- struct{}{} }()
	go func() { p.pump(client, server, true); done <- struct{}{} }()
	<-done
}

// pump copies src to dst chunk by chunk, holding each chunk while the proxy
// is stalled and delaying the server's chunks by the latency.
func (p *Proxy) pump(dst, src net.Conn, fromServer bool) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.wait(src) {
				return
			}
			if d := p.currentLatency(); fromServer && d > 0 {
				time.Sleep(d)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// wait blocks while the proxy is stalled; false if c was closed meanwhile.
func (p *Proxy) wait(c net.Conn) bool {
	for {
		p.mu.Lock()
		stalled, changed, open := p.stalled, p.changed, p.isTracked(c)
		p.mu.Unlock()
		if !open {
			return false
		}
		if !stalled {
			return true
		}
		<-changed
	}
}

func (p *Proxy) currentLatency() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.latency
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
	c.Close()
}

func (p *Proxy) isTracked(c net.Conn) bool {
	_, ok := p.conns[c]
	return ok
}
