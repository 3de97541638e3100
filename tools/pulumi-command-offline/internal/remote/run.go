package remote

import (
	"context"
	"fmt"
	"sort"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"

	"ha-mysql-iac/pulumi-command-offline/internal/output"
)

// Names of the variables that carry the previous run's outputs.
const (
	envStdout = "PULUMI_COMMAND_STDOUT"
	envStderr = "PULUMI_COMMAND_STDERR"
)

// setenvRefused explains a refused SSH environment request. Nothing is ever moved onto the
// command line instead: the values can be secret, and a command line shows in ps.
func setenvRefused(ctx context.Context, key string, fatal bool, err error) error {
	msg := fmt.Sprintf("Unable to set '%s'. This only works if your SSH server is configured to accept "+
		"these variables via AcceptEnv.", key)
	if fatal {
		p.GetLogger(ctx).Error(msg)
	} else {
		p.GetLogger(ctx).Warning(msg)
	}
	return fmt.Errorf("could not set environment variable %q: %w", key, err)
}

// run runs cmd in one SSH session. c.BaseOutputs holds the previous outputs on entry and the
// new ones on success.
func (c *CommandOutputs) run(ctx context.Context, cmd string) error {
	client, err := c.Connection.Dial(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = client.Close() }()
	session, err := client.NewSession()
	if err != nil {
		return err
	}
	defer func() { _ = session.Close() }()

	names := make([]string, 0, len(c.Environment))
	for k := range c.Environment {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := session.Setenv(k, c.Environment[k]); err != nil {
			return setenvRefused(ctx, k, true, err)
		}
	}
	if c.AddPreviousOutputInEnv == nil || *c.AddPreviousOutputInEnv {
		for _, kv := range [][2]string{{envStdout, c.Stdout}, {envStderr, c.Stderr}} {
			if kv[1] == "" {
				continue
			}
			if err := session.Setenv(kv[0], kv[1]); err != nil {
				_ = setenvRefused(ctx, kv[0], false, err)
			}
		}
	}
	if c.Stdin != nil && len(*c.Stdin) > 0 {
		session.Stdin = strings.NewReader(*c.Stdin)
	}
	capture := output.Start(ctx, c.Logging.mode())
	session.Stdout, session.Stderr = capture.Stdout, capture.Stderr
	stdout, stderr, err := capture.Finish(session.Run(cmd), cmd)
	if err != nil {
		return err
	}
	c.BaseOutputs = BaseOutputs{Stdout: stdout, Stderr: stderr}
	return nil
}
