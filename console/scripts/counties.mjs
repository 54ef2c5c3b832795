// Builds public/counties.json, the gaps page's county map, from us-atlas's
// counties-albers-10m.json (Census Bureau cartographic boundaries, ISC
// licence; already projected to Albers USA in a 975×610 frame). The topology
// is simplified and each county written as one SVG path string with
// coordinates rounded to a tenth of a pixel, so the map weighs far less than
// the atlas. It is fetched only when the gaps page opens, never on first load.
// Run by `npm run build` (make console); the built console, with this file,
// is committed in server/consoleui/.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature, mesh } from 'topojson-client';
import { presimplify, simplify, quantile } from 'topojson-simplify';

const require = createRequire(import.meta.url);
const atlasPath = require.resolve('us-atlas/counties-albers-10m.json');
const version = JSON.parse(readFileSync(new URL('../node_modules/us-atlas/package.json', import.meta.url))).version;
let topo = JSON.parse(readFileSync(atlasPath, 'utf8'));
topo = presimplify(topo);
topo = simplify(topo, 1);

const r = (n) => Math.round(n * 10) / 10;
// A ring as an SVG path with relative moves: shorter than absolute ones.
function rel(ring, closed = true) {
  let [px, py] = [r(ring[0][0]), r(ring[0][1])];
  let d = 'M' + px + ' ' + py + 'l';
  const steps = [];
  for (const [x0, y0] of ring.slice(1)) {
    const [x, y] = [r(x0), r(y0)];
    const dx = r(x - px), dy = r(y - py);
    if (dx === 0 && dy === 0) continue;
    steps.push(dx + ' ' + dy);
    [px, py] = [x, y];
  }
  // A ring that rounding collapsed to a point or a line draws nothing.
  if (steps.length < (closed ? 2 : 1)) return '';
  return d + steps.join(' ').replace(/ -/g, '-');
}
function path(geom) {
  let first = null;
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.type === 'MultiPolygon' ? geom.coordinates : [];
  let d = '';
  for (const poly of polys) for (const ring of poly) {
    if (!first && ring.length) first = ring[0];
    if (ring.length < 3) continue;
    const r = rel(ring);
    if (r) d += r + 'Z';
  }
  // A county too small to survive simplifying (a few independent cities)
  // is drawn as a one-pixel square where it lies, so it stays on the map.
  if (!d && first) d = `M${r(first[0])} ${r(first[1])}h1v1h-1Z`;
  return d;
}
function lines(geom) {
  return geom.coordinates.map((line) => rel(line, false)).join('');
}

const counties = {};
const names = {};
for (const f of feature(topo, topo.objects.counties).features) {
  const d = path(f.geometry);
  if (!d) continue;
  counties[f.id] = d;
  names[f.id] = f.properties.name;
}
const states = {};
for (const f of feature(topo, topo.objects.states).features) states[f.id] = f.properties.name;
const out = {
  credit: `County boundaries: US Census Bureau cartographic boundary files, via us-atlas ${version} (ISC licence, Mike Bostock), simplified.`,
  width: 975,
  height: 610,
  stateBorders: lines(mesh(topo, topo.objects.states, (a, b) => a !== b)),
  nation: path(feature(topo, topo.objects.nation).features[0].geometry),
  counties,
  names,
  states,
};
const json = JSON.stringify(out);
writeFileSync(new URL('../public/counties.json', import.meta.url), json);
console.log(`public/counties.json: ${Object.keys(counties).length} counties, ${(json.length / 1024).toFixed(0)} KiB`);

// The licences of what the built console carries: Preact (in the script)
// and us-atlas (the map), served beside it at /console/licenses/.
mkdirSync(new URL('../public/licenses/', import.meta.url), { recursive: true });
for (const [pkg, name] of [['preact', 'LICENSE'], ['us-atlas', 'LICENSE']]) {
  copyFileSync(new URL(`../node_modules/${pkg}/${name}`, import.meta.url), new URL(`../public/licenses/${pkg}-LICENSE`, import.meta.url));
}
