// The elements are registered in one loop (src/define.ts), which the analyzer
// cannot follow: name each Qadmin* element class's tag here, by the one rule
// that gives every tag (QadminQueueList -> qadmin-queue-list).
const tagOf = (className) =>
  className.replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase());

export default {
  globs: ['src/components/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/**/*.styles.ts'],
  litelement: true,
  outdir: '.',
  plugins: [
    {
      name: 'qadmin-tags',
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            const extendsQadmin =
              declaration.kind === 'class' &&
              /^Qadmin[A-Z]/.test(declaration.name) &&
              declaration.name !== 'QadminElement' &&
              (declaration.superclass?.name === 'QadminElement' ||
                declaration.superclass?.name === 'LitElement');
            if (!extendsQadmin) continue;
            const tagName = tagOf(declaration.name);
            declaration.tagName = tagName;
            declaration.customElement = true;
            module.exports ??= [];
            if (!module.exports.some((e) => e.kind === 'custom-element-definition')) {
              module.exports.push({
                kind: 'custom-element-definition',
                name: tagName,
                declaration: { name: declaration.name, module: module.path },
              });
            }
          }
        }
      },
    },
  ],
};
