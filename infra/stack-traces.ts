// Pulumi's runtime records a stack trace for every promise it makes, for the report it prints
// when PULUMI_DEBUG_PROMISE_LEAKS is set, and under ts-node every trace is source-mapped frame by
// frame: for the 99-node topology that costs more than declaring its 813 resources. The stack
// program therefore captures no frames; the errors it means users to read (RunError, the list of
// configuration problems) print their message alone anyway. Resource source positions are not
// affected: Pulumi raises the limit itself while it records them.

/** The environment variable that keeps stack traces, for debugging the program itself. */
export const KEEP_STACK_TRACES = "HA_MYSQL_STACK_TRACES";

/** Stop capturing stack frames, unless the user asked for traces or for Pulumi's promise-leak report. */
export function withoutStackTraces(env: NodeJS.ProcessEnv = process.env): void {
    if (env[KEEP_STACK_TRACES] === "1" || env.PULUMI_DEBUG_PROMISE_LEAKS) return;
    Error.stackTraceLimit = 0;
}
