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
  },
};
