package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// rawClient sends heartbeats over one kept-alive HTTP/1.1 connection,
// writing each request from a prepared template and reading just the status
// and body of the answer: the generator should spend its CPU on the
// server, not on itself (net/http's client costs about as much per request
// as the server it measures, on the same two cores).
type rawClient struct {
	addr    string
	timeout time.Duration
	head    []byte // request line and headers, up to Content-Length's value
	conn    net.Conn
	r       *bufio.Reader
	buf     bytes.Buffer
}

func newRawClient(addr, path, token string, timeout time.Duration) *rawClient {
	head := fmt.Sprintf("PUT %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: ", path, addr, token)
	return &rawClient{addr: addr, timeout: timeout, head: []byte(head)}
}

// put sends one heartbeat and returns the answer's status, or why there is none.
func (c *rawClient) put(position int) string {
	if c.conn == nil {
		conn, err := net.DialTimeout("tcp", c.addr, c.timeout)
		if err != nil {
			return "conn-error"
		}
		c.conn, c.r = conn, bufio.NewReader(conn)
	}
	body := strconv.AppendInt(append([]byte(nil), `{"position_seconds":`...), int64(position), 10)
	body = append(body, '}')
	c.buf.Reset()
	c.buf.Write(c.head)
	c.buf.WriteString(strconv.Itoa(len(body)))
	c.buf.WriteString("\r\n\r\n")
	c.buf.Write(body)
	_ = c.conn.SetDeadline(time.Now().Add(c.timeout))
	if _, err := c.conn.Write(c.buf.Bytes()); err != nil {
		return c.fail(err)
	}
	status, err := c.readResponse()
	if err != nil {
		return c.fail(err)
	}
	return status
}

// readResponse reads a status line, headers and a Content-Length body.
func (c *rawClient) readResponse() (string, error) {
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return "", err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return "", errors.New("not an HTTP/1.1 answer")
	}
	status := string(line[9:12])
	length, closing := 0, false
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return "", err
		}
		if len(h) <= 2 {
			break
		}
		name, value, _ := bytes.Cut(bytes.TrimRight(h, "\r\n"), []byte(":"))
		switch string(bytes.ToLower(name)) {
		case "content-length":
			length, _ = strconv.Atoi(string(bytes.TrimSpace(value)))
		case "connection":
			closing = bytes.EqualFold(bytes.TrimSpace(value), []byte("close"))
		case "transfer-encoding":
			return "", errors.New("chunked answers are not expected")
		}
	}
	if _, err := c.r.Discard(length); err != nil {
		return "", err
	}
	if closing {
		c.close()
	}
	return status, nil
}

func (c *rawClient) fail(err error) string {
	c.close()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	if errors.Is(err, io.EOF) {
		return "conn-closed"
	}
	return "conn-error"
}

func (c *rawClient) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn, c.r = nil, nil
	}
}
