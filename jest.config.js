// Projects split by what they need from the machine: unit and graph tests need
// nothing; render tests call the real daemons' validators; lab tests need the lab, vmlab tests
// the VM lab;
// conformance tests need the offline engine (tools/install-pulumi.sh) and sshd.
const tsJest = { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] };
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: "node",
  transform: tsJest,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});
module.exports = {
  projects: [
    project("unit"),
    project("graph", { setupFilesAfterEnv: ["<rootDir>/test/support/ssh-dir.ts"] }),
    project("render", { setupFilesAfterEnv: ["<rootDir>/test/support/ssh-dir.ts"] }),
    project("lab"),
    project("conformance"),
    project("vmlab", { setupFiles: ["<rootDir>/test/support/vm-lab-env.ts"] }),
  ],
};
