package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPasswords_HashAndVerify(t *testing.T) {
	t.Parallel()
	p, err := NewPasswords(cheap, 2)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	h, err := p.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string with its parameters", h)
	}
	if h2, _ := p.Hash(ctx, "correct horse battery staple"); h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse battery staple": true, "correct horse battery stapl": false, "": false} {
		if ok, err := p.Verify(ctx, h, pw); err != nil || ok != want {
			t.Errorf("Verify(%q) = %v, %v, want %v", pw, ok, err, want)
		}
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=x$c2FsdA$a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5"} {
		if _, err := p.Verify(ctx, bad, "x"); err == nil {
			t.Errorf("Verify accepted the malformed hash %q", bad)
		}
	}
}

func TestPasswords_OWASPParameters(t *testing.T) {
	t.Parallel()
	if OWASP != (Argon2Params{Memory: 19456, Time: 2, Threads: 1}) {
		t.Fatalf("OWASP = %+v, want m=19456 KiB, t=2, p=1", OWASP)
	}
	p, err := NewPasswords(OWASP, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.dummy, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("the dummy hash does not use the real parameters: %q", p.dummy)
	}
	ok, err := p.Verify(context.Background(), p.dummy, "anything")
	if err != nil || ok {
		t.Fatalf("the dummy hash matched: %v %v", ok, err)
	}
}

// TestPasswords_WaitsForAFreeSlot: with every slot taken, a hash does not
// start until one is given back, so memory stays bounded under a flood.
func TestPasswords_WaitsForAFreeSlot(t *testing.T) {
	t.Parallel()
	p, err := NewPasswords(cheap, 2)
	if err != nil {
		t.Fatal(err)
	}
	p.slots <- struct{}{}
	p.slots <- struct{}{} // both slots taken
	done := make(chan error, 1)
	go func() {
		_, err := p.Hash(context.Background(), "password")
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a hash ran while every slot was taken (error %v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	<-p.slots // give one back
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the hash did not run once a slot was free")
	}
}

func TestPasswords_CanceledWhileWaitingForASlot(t *testing.T) {
	t.Parallel()
	p, err := NewPasswords(cheap, 1)
	if err != nil {
		t.Fatal(err)
	}
	p.slots <- struct{}{} // the only slot is taken
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.Hash(ctx, "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Hash with no free slot = %v, want the context's error", err)
	}
}

func TestThrottle_LockDoublesUpToTheMaximum(t *testing.T) {
	t.Parallel()
	th := Throttle{Window: time.Minute, Threshold: 5, Lock: 30 * time.Second, MaxLock: 15 * time.Minute}
	for n, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 6: 15 * time.Minute, 50: 15 * time.Minute} {
		if got := th.lockFor(n); got != want {
			t.Errorf("lockFor(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestSecret_DeriveDependsOnPurposeAndSecret(t *testing.T) {
	t.Parallel()
	a, _ := NewSecret(strings.Repeat("a", 32))
	b, _ := NewSecret(strings.Repeat("b", 32))
	if string(a.Derive("cursor")) == string(a.Derive("other")) || string(a.Derive("cursor")) == string(b.Derive("cursor")) {
		t.Fatal("derived keys collide")
	}
	if string(a.Derive("cursor")) == strings.Repeat("a", 32) {
		t.Fatal("the derived key is the secret")
	}
}
