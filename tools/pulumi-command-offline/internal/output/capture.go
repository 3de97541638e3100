// Package output captures what a command prints: the stdout and stderr outputs, the engine's
// log (unless logging says otherwise), and the error text of a failed run.
package output

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	p "github.com/pulumi/pulumi-go-provider"
)

// Logging selects what reaches the engine's log; captured outputs are never affected.
type Logging string

// The logging modes of pulumi-command.
const (
	Stdout          Logging = "stdout"
	Stderr          Logging = "stderr"
	StdoutAndStderr Logging = "stdoutAndStderr"
	None            Logging = "none"
)

func logsStdout(l *Logging) bool { return l == nil || *l == Stdout || *l == StdoutAndStderr }
func logsStderr(l *Logging) bool { return l == nil || *l == Stderr || *l == StdoutAndStderr }

// lockedWriter serialises writes from the two streams into one buffer or pipe.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(b)
}

// Capture is one run's output: Stdout and Stderr writers to hand to the process or session.
type Capture struct {
	Stdout, Stderr io.Writer

	stdout, stderr, both bytes.Buffer
	pipe                 *io.PipeWriter
	done                 chan struct{}
}

// Start begins a capture. Lines selected by logging go to the engine as info status
// messages (ephemeral, as pulumi-command logs them) while the command runs.
func Start(ctx context.Context, logging *Logging) *Capture {
	c := &Capture{done: make(chan struct{})}
	r, w := io.Pipe()
	c.pipe = w
	both := &lockedWriter{w: &c.both}
	log := &lockedWriter{w: w}
	outs := []io.Writer{&c.stdout, both}
	if logsStdout(logging) {
		outs = append(outs, log)
	}
	errs := []io.Writer{&c.stderr, both}
	if logsStderr(logging) {
		errs = append(errs, log)
	}
	c.Stdout = io.MultiWriter(outs...)
	c.Stderr = io.MultiWriter(errs...)
	go func() {
		defer close(c.done)
		s := bufio.NewScanner(r)
		s.Buffer(make([]byte, 64*1024), 1024*1024)
		for s.Scan() {
			p.GetLogger(ctx).InfoStatus(s.Text())
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	return c
}

// Finish waits for the log to drain. On success it returns stdout and stderr without one
// trailing newline each; on failure an error that carries the command text and everything it
// printed, interleaved, whatever logging says (pulumi-command 1.2.1 reports failures so).
func (c *Capture) Finish(runErr error, command string) (string, string, error) {
	_ = c.pipe.Close()
	<-c.done
	if runErr != nil {
		return "", "", fmt.Errorf("%w: running %q:\n%s", runErr, command, c.both.String())
	}
	return strings.TrimSuffix(c.stdout.String(), "\n"), strings.TrimSuffix(c.stderr.String(), "\n"), nil
}
