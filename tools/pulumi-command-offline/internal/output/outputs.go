package output

import "github.com/pulumi/pulumi-go-provider/infer"

// Outputs are what a command printed; local and remote commands embed them in their state.
type Outputs struct {
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

// Annotate describes the fields in the schema.
func (o *Outputs) Annotate(a infer.Annotator) {
	a.Describe(&o.Stdout, "The command's standard output, less one trailing newline.")
	a.Describe(&o.Stderr, "The command's standard error, less one trailing newline.")
}
