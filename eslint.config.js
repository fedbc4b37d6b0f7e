// @ts-check
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "coverage/",
      "types/",
      "deployments/",
      "sdk/dist/",
      "web/dist/",
      ".sdk-consumer-*/",
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node, ...globals.mocha } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  // the dapp runs in browsers
  { files: ["web/src/**/*.{ts,tsx}"], languageOptions: { globals: globals.browser } },
  // code branches on error codes, never on message text (sdk/src/errors.ts); tests may read messages
  {
    files: [
      "oracle/**/*.ts",
      "sdk/src/**/*.ts",
      "client/**/*.ts",
      "tasks/**/*.ts",
      "scripts/**/*.ts",
      "web/src/**/*.{ts,tsx}",
    ],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "CallExpression[callee.property.name=/^(includes|startsWith|endsWith|match|matchAll|search|indexOf)$/][callee.object.property.name=/^(message|shortMessage|reason)$/]",
          message: "Branch on an error's code (isDealProofError(e, code)), never on its message text.",
        },
        {
          selector:
            "CallExpression[callee.property.name=/^(test|exec)$/][arguments.0.property.name=/^(message|shortMessage|reason)$/]",
          message: "Branch on an error's code (isDealProofError(e, code)), never on its message text.",
        },
      ],
    },
  },
);
