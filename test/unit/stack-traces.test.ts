import { KEEP_STACK_TRACES, withoutStackTraces } from "../../infra/stack-traces";

describe("the stack program's stack traces", () => {
    const saved = Error.stackTraceLimit;
    afterEach(() => (Error.stackTraceLimit = saved));

    it("captures no frames by default", () => {
        Error.stackTraceLimit = 10;
        withoutStackTraces({});
        expect(Error.stackTraceLimit).toBe(0);
        expect(new Error("x").stack).toBe("Error: x");
    });

    it.each([[{ [KEEP_STACK_TRACES]: "1" }], [{ PULUMI_DEBUG_PROMISE_LEAKS: "true" }]])("keeps them when %j asks for them", (env) => {
        Error.stackTraceLimit = 10;
        withoutStackTraces(env);
        expect(Error.stackTraceLimit).toBe(10);
    });
});
