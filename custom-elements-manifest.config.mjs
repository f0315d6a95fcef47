// The custom-elements manifest of <ml-predict> (dist/custom-elements.json, the package.json
// "customElements" field): read from the TypeScript sources, with module paths pointing at the
// built files a user imports. Run by `npm run cem` and by the build.
const toDist = (path, from = 'lib/element/x.ts') => {
  const resolved = path.startsWith('./') ? from.replace(/[^/]+$/, '') + path.slice(2) : path.replace(/^\//, '');
  return resolved.replace(/^lib\//, 'dist/').replace(/\.ts$/, '.js');
};

export default {
  globs: ['lib/element/ml-predict.ts', 'lib/element/define.ts', 'lib/element/events.ts'],
  outdir: 'dist',
  litelement: true,
  packagejson: false,
  plugins: [
    {
      name: 'ml-predict-dist-paths',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          const source = mod.path;
          mod.path = toDist(source);
          for (const exp of mod.exports ?? []) {
            if (exp.declaration?.module) exp.declaration.module = toDist(exp.declaration.module, source);
          }
          for (const decl of mod.declarations ?? []) {
            // Private (#) and underscore-prefixed members are not the element's API.
            // Typed overloads of addEventListener/removeEventListener are not the element's own API.
            const inherited = ['addEventListener', 'removeEventListener'];
            const isPublic = (m) => m.privacy !== 'private' && !m.name.startsWith('_') && !m.name.startsWith('#') && !inherited.includes(m.name);
            if (decl.members) decl.members = decl.members.filter(isPublic);
            // Internal reactive state ({ state: true }) has no attribute.
            if (decl.attributes) decl.attributes = decl.attributes.filter((a) => !a.name.startsWith('_'));
            if (decl.superclass?.module) decl.superclass.module = toDist(decl.superclass.module);
          }
        }
      },
    },
  ],
};
