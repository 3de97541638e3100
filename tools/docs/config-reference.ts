// Prints the configuration reference table that docs/configuration.md embeds.
import { configReference } from "../../model/reference";

process.stdout.write(configReference());
