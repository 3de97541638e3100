package remote

import (
	"github.com/pulumi/pulumi-go-provider/infer"

	"ha-mysql-iac/pulumi-command-offline/internal/output"
)

// Logging is the enum command:remote:Logging.
// (One type per package: the schema names the enum after its package, as pulumi-command does.)
type Logging string

// Values lists the enum's members for the schema.
func (Logging) Values() []infer.EnumValue[Logging] {
	return []infer.EnumValue[Logging]{
		{Name: "stdout", Value: "stdout", Description: "Log stdout, not stderr"},
		{Name: "stderr", Value: "stderr", Description: "Log stderr, not stdout"},
		{Name: "stdoutAndStderr", Value: "stdoutAndStderr", Description: "Log stdout and stderr"},
		{Name: "none", Value: "none", Description: "Log nothing"},
	}
}

func (l *Logging) mode() *output.Logging {
	if l == nil {
		return nil
	}
	m := output.Logging(*l)
	return &m
}
