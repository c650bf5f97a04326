module.exports = {
  extends: '../test/.eslintrc.cjs',
  parserOptions: {
    project: [require('path').join(__dirname, '..', 'test', 'tsconfig.json')],
  },
};
