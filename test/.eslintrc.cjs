module.exports = {
  extends: '../.eslintrc.cjs',
  parserOptions: {
    project: [require('path').join(__dirname, 'tsconfig.json')],
  },
  rules: {
    '@typescript-eslint/no-unused-expressions': 'off',
    'no-unused-expressions': 'off',
    '@typescript-eslint/no-non-null-assertion': 'off',
    'class-methods-use-this': 'off',
    // Tests wait on each step in order on purpose.
    'no-await-in-loop': 'off',
  },
  overrides: [
    {
      // The org emulator speaks Salesforce's wire formats (access_token, error_description, sf__Id ...) and
      // implements whole protocols in one place; these rules fight the wire format rather than help.
      files: ['emulator/**/*.ts'],
      rules: {
        camelcase: 'off',
        complexity: 'off',
        'no-param-reassign': 'off',
        '@typescript-eslint/member-ordering': 'off',
        'unicorn/numeric-separators-style': 'off',
        // Fakes and handlers in object literals; SDR and webcrypto types resolve loosely under the test tsconfig.
        '@typescript-eslint/explicit-function-return-type': 'off',
        '@typescript-eslint/require-await': 'off',
        '@typescript-eslint/await-thenable': 'off',
        '@typescript-eslint/no-unsafe-enum-comparison': 'off',
        '@typescript-eslint/no-unsafe-assignment': 'off',
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      },
    },
  ],
};
