// Command pulumi-resource-command serves the offline command provider: the resources and the
// function of the @pulumi/command 1.2.1 SDK, with that provider's semantics (see ../../README.md).
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"ha-mysql-iac/pulumi-command-offline/internal/provider"
)

// Version is stamped at build time: -ldflags "-X main.Version=1.2.1".
var Version = "1.2.1"

func main() {
	if err := provider.New().Run(context.Background(), "command", strings.TrimPrefix(Version, "v")); err != nil {
		fmt.Fprintf(os.Stderr, "Error: %s", err.Error())
		os.Exit(1)
	}
}
