// Prints the configuration reference table that README embeds.
import { configReference } from "../infra/config/reference";

process.stdout.write(configReference());
