package local

import (
	"context"

	"github.com/pulumi/pulumi-go-provider/infer"
)

// Run is the function command:local:run: it runs a command on every program run.
type Run struct{}

// Annotate describes the function in the schema.
func (r *Run) Annotate(a infer.Annotator) {
	a.Describe(&r, "Runs a command on the machine that runs Pulumi, on every evaluation of the program, previews included.")
}

// RunInputs are the function's arguments.
type RunInputs struct {
	BaseInputs
	Command string `pulumi:"command"`
}

// Annotate describes the fields in the schema.
func (r *RunInputs) Annotate(a infer.Annotator) {
	a.Describe(&r.Command, "The command to run.")
}

// RunOutputs are the function's results.
type RunOutputs struct {
	RunInputs
	BaseOutputs
}

// Invoke runs the command.
func (*Run) Invoke(ctx context.Context, req infer.FunctionRequest[RunInputs]) (infer.FunctionResponse[RunOutputs], error) {
	out := RunOutputs{RunInputs: req.Input}
	err := run(ctx, req.Input.Command, req.Input.BaseInputs, &out.BaseOutputs)
	return infer.FunctionResponse[RunOutputs]{Output: out}, err
}
