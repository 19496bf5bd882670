package main

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

func TestReapCollectsExitedChildren(t *testing.T) {
	for i := 0; i < 3; i++ {
		if err := exec.Command("/bin/true").Start(); err != nil {
			t.Fatalf("start child: %v", err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	got := 0
	for got < 3 && time.Now().Before(deadline) {
		got += reap()
		time.Sleep(10 * time.Millisecond)
	}
	if got != 3 {
		t.Fatalf("reap collected %d exited children, want 3", got)
	}
}

func TestRunExitsZeroOnTerm(t *testing.T) {
	signals := make(chan os.Signal, 1)
	done := make(chan int, 1)
	go func() { done <- run(signals) }()
	signals <- syscall.SIGCHLD
	signals <- syscall.SIGTERM
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("run returned %d on SIGTERM, want 0", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return within 5 s of SIGTERM")
	}
}

func TestBinaryStopsOnSigterm(t *testing.T) {
	if os.Getenv("PAUSE_TEST_CHILD") == "1" {
		main()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBinaryStopsOnSigterm$")
	cmd.Env = append(os.Environ(), "PAUSE_TEST_CHILD=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("pause exited with %v on SIGTERM, want exit 0", err)
		}
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("pause still running 5 s after SIGTERM")
	}
}
