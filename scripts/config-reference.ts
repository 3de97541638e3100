// Prints the configuration reference table that docs/configuration.md embeds.
import { configReference } from "../infra/config/reference";

process.stdout.write(configReference());
