// Package local holds command:local:Command and command:local:run.
package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/pulumi/pulumi-go-provider/infer"

	"ha-mysql-iac/pulumi-command-offline/internal/output"
)

// Names of the variables that carry the previous run's outputs.
const (
	envStdout = "PULUMI_COMMAND_STDOUT"
	envStderr = "PULUMI_COMMAND_STDERR"
)

// BaseInputs are what a local command runs with.
type BaseInputs struct {
	Stdin                  *string            `pulumi:"stdin,optional"`
	Logging                *Logging           `pulumi:"logging,optional"`
	Interpreter            *[]string          `pulumi:"interpreter,optional"`
	Dir                    *string            `pulumi:"dir,optional"`
	Environment            *map[string]string `pulumi:"environment,optional"`
	AssetPaths             *[]string          `pulumi:"assetPaths,optional"`
	ArchivePaths           *[]string          `pulumi:"archivePaths,optional"`
	AddPreviousOutputInEnv *bool              `pulumi:"addPreviousOutputInEnv,optional"`
}

// Annotate describes the fields in the schema.
func (b *BaseInputs) Annotate(a infer.Annotator) {
	a.Describe(&b.Stdin, "Text passed to the command on standard input.")
	a.Describe(&b.Logging, "Which of stdout and stderr reach the engine's log (default both); outputs are captured regardless.")
	a.Describe(&b.Interpreter, "The program and arguments the command is appended to (default /bin/sh -c).")
	a.Describe(&b.Dir, "The working directory (default the program's).")
	a.Describe(&b.Environment, "Extra environment variables.")
	a.Describe(&b.AssetPaths, "Not supported by the offline provider.")
	a.Describe(&b.ArchivePaths, "Not supported by the offline provider.")
	a.Describe(&b.AddPreviousOutputInEnv, "Whether the previous stdout and stderr are passed as PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR (default true).")
}

// BaseOutputs are what a local command printed.
type BaseOutputs = output.Outputs

var errAssets = errors.New("assetPaths and archivePaths are not supported by the offline command provider")

// run runs command through the interpreter. out holds the previous outputs on entry (passed in
// the environment when non-empty) and the new ones on success.
func run(ctx context.Context, command string, in BaseInputs, out *BaseOutputs) error {
	if in.AssetPaths != nil || in.ArchivePaths != nil {
		return errAssets
	}
	args := []string{"/bin/sh", "-c"}
	if in.Interpreter != nil && len(*in.Interpreter) > 0 {
		args = append([]string{}, *in.Interpreter...)
	}
	args = append(args, command)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...) //nolint:gosec // running commands is the point
	if in.Dir != nil {
		cmd.Dir = *in.Dir
	} else {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		cmd.Dir = wd
	}
	cmd.Env = os.Environ()
	if in.Environment != nil {
		for k, v := range *in.Environment {
			cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%s", k, v))
		}
	}
	if in.AddPreviousOutputInEnv == nil || *in.AddPreviousOutputInEnv {
		if out.Stdout != "" {
			cmd.Env = append(cmd.Env, envStdout+"="+out.Stdout)
		}
		if out.Stderr != "" {
			cmd.Env = append(cmd.Env, envStderr+"="+out.Stderr)
		}
	}
	if in.Stdin != nil && len(*in.Stdin) > 0 {
		cmd.Stdin = strings.NewReader(*in.Stdin)
	}
	c := output.Start(ctx, in.Logging.mode())
	cmd.Stdout, cmd.Stderr = c.Stdout, c.Stderr
	err := cmd.Start()
	if err == nil {
		err = cmd.Wait()
	}
	stdout, stderr, err := c.Finish(err, command)
	if err != nil {
		return err
	}
	out.Stdout, out.Stderr = stdout, stderr
	return nil
}
