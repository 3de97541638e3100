// The per-format escaping helpers on examples; test/render/printable-passwords.test.ts proves
// them against the real readers (MariaDB, my_print_defaults, haproxy, xmllint, keepalived).
import fc from "fast-check";
import { haproxyWord, keepalivedString, keepalivedStringProblem, optionFileValue, shellQuote, sqlString, xmlAttr, xmlText } from "../../components/render/escape";
import { secretValueProblem } from "../../model/rules/secrets";

const NASTY = `it's "q" \\ $HOME #c !b; a:b`;

describe("sqlString", () => {
    it.each([
        ["plain", "'plain'"],
        ["it's", "'it''s'"],
        ["back\\slash", "'back\\\\slash'"],
        ["\\'", "'\\\\'''"],
        ["# -- ; $x", "'# -- ; $x'"],
        ["line\nbreak\r", "'line\\nbreak\\r'"],
        ["日本 🔐", "'日本 🔐'"],
    ])("%j -> %s", (value, literal) => expect(sqlString(value)).toBe(literal));

    it("refuses a NUL without repeating the value", () => expect(() => sqlString("sec\0ret")).toThrow(/^a value contains a NUL character, which an SQL file cannot carry$/));
});

describe("optionFileValue", () => {
    it.each([
        ["plain", '"plain"'],
        ['say "hi"', '"say \\"hi\\""'],
        ["a\\b", '"a\\\\b"'],
        ["ends\\", '"ends\\\\"'],
        ["#not a comment", '"#not a comment"'],
        [" spaces kept ", '" spaces kept "'],
        ["it's", `"it's"`],
        ["tab\tnl\ncr\rbs\b", '"tab\\tnl\\ncr\\rbs\\b"'],
        ["日本", '"日本"'],
    ])("%j -> %s", (value, text) => expect(optionFileValue(value)).toBe(text));
});

describe("haproxyWord", () => {
    it.each([
        ["haadmin:plain", "'haadmin:plain'"],
        ["u:it's", "'u:it'\\''s'"],
        ['u:"$HOME" #x \\', `'u:"$HOME" #x \\'`],
        ["u:a b", "'u:a b'"],
    ])("%j -> %s", (value, text) => expect(haproxyWord(value)).toBe(text));

    it("refuses a control character, naming only its code point", () => {
        expect(() => haproxyWord("u:a\nb")).toThrow(/^a value contains a control character \(U\+000A\), which a haproxy.cfg line cannot carry$/);
    });
});

describe("xmlText and xmlAttr", () => {
    it("escapes markup in text, and quotes and whitespace in attributes", () => {
        expect(xmlText(`a&b<c>d"e'f`)).toBe(`a&amp;b&lt;c&gt;d"e'f`);
        expect(xmlAttr(`a&b<c>d"e'f`)).toBe("a&amp;b&lt;c&gt;d&quot;e&apos;f");
        expect(xmlAttr("t\tn\nr\r")).toBe("t&#9;n&#10;r&#13;");
        expect(xmlText(" keep \u65e5 ")).toBe(" keep \u65e5 ");
    });

    it("refuses what XML 1.0 cannot hold at all", () => {
        expect(() => xmlText("a\u0001b")).toThrow(/XML 1.0 forbids \(U\+0001\)/);
        expect(() => xmlAttr("a\uffffb")).toThrow(/U\+FFFF/);
        expect(() => xmlAttr("lone \ud800")).toThrow(/U\+D800/);
        expect(xmlAttr("pair \ud83d\udd10")).toBe("pair \ud83d\udd10");
    });
});

describe("keepalivedString", () => {
    it.each([
        ["Vr7pQx2z", '"Vr7pQx2z"'],
        ["a b#c!d", '"a b#c!d"'],
        ["a\\b{}", '"a\\b{}"'],
        ["$HOME", '"$HOME"'],
        ["it's", `"it's"`],
    ])("%j -> %s", (value, text) => expect(keepalivedString(value)).toBe(text));

    it.each([
        ['a"b', /double quote/],
        ["ab\\", /backslash at its end/],
        ["a${_PWD}", /replaces them with a definition/],
        ["a$_HASH b", /replaces them with a definition/],
        ["a\tb", /control character \(U\+0009\)/],
    ])("refuses %j", (value, why) => expect(() => keepalivedString(value)).toThrow(why));

    it("refuses exactly what the auth_pass rule refuses", () => {
        const unit = fc.constantFrom(..."aZ9 \"\\$_{}#!'é日");
        fc.assert(
            // The rule adds the 6-character minimum, the 8-byte limit and the default list; between them both must agree.
            fc.property(fc.array(unit, { minLength: 6, maxLength: 8 }).map((a) => a.join("")).filter((v) => Buffer.byteLength(v) <= 8), (value) => {
                expect([value, secretValueProblem("vrrpAuth", value) === undefined]).toEqual([value, keepalivedStringProblem(value) === undefined]);
            }),
            { numRuns: 1000 },
        );
    });
});

describe("shellQuote", () => {
    it("single-quotes, with '\\'' for a quote", () => {
        expect(shellQuote(NASTY)).toBe(`'it'\\''s "q" \\ $HOME #c !b; a:b'`);
        expect(shellQuote("")).toBe("''");
    });
});
