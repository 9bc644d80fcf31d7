// The templates (Eta, every interpolation HTML-escaped unless written
// <%~ %>), compiled once and kept: a page is a template rendered into the
// layout, a fragment (an htmx swap) the same template alone.

import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

/** Next to this module: src/web/templates from the source, dist/web/templates once built. */
export const TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

const eta = new Eta({ views: TEMPLATES_DIR, cache: true, autoEscape: true, autoTrim: [false, 'nl'] });

/** Renders templates/NAME.eta with `it` = data. */
export function renderTemplate(name: string, data: object): string {
  return eta.render(name, data);
}
