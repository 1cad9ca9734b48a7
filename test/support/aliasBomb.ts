/** A modeldeploy.yaml whose aliases nest nine deep in nines: small to write, billions of values to expand. */
export function aliasBombConfig(model: string): string {
  return `name: bomb
version: 1.0.0
model: ${model}
task: raw
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]
`;
}
