// Command pause is the first process of every pod sandbox the node's containerd starts: it holds
// the pod's namespaces open, reaps the children that end up re-parented to it, and exits 0 on
// SIGINT or SIGTERM. It is the program registry.k8s.io/pause provides, written here because no
// image can be pulled on the machines this project builds on.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is what `pause -v` prints; the node image tags the image with the sandbox image tag.
var version = "kruise-conformance"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		fmt.Printf("pause %s\n", version)
		return
	}
	if os.Getpid() != 1 {
		fmt.Fprintln(os.Stderr, "pause: warning: not running as PID 1")
	}
	os.Exit(run(make(chan os.Signal, 16)))
}

// run blocks until SIGINT or SIGTERM and returns the exit code; SIGCHLD reaps every child that
// has exited, so zombies never pile up in the sandbox.
func run(signals chan os.Signal) int {
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s == syscall.SIGCHLD {
			reap()
			continue
		}
		fmt.Fprintf(os.Stderr, "pause: shutting down on %v\n", s)
		return 0
	}
	return 0
}

// reap collects every exited child without blocking and returns how many it collected.
func reap() int {
	n := 0
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return n
		}
		n++
	}
}
