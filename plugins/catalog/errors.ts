import { defineErrors } from '#kernel';

/** Error codes of the catalog plugin. */
export const CatalogErrors = defineErrors('CATALOG', {
  NOT_FOUND: 'No stored pipeline has that name, revision or version; the message lists what is stored under the name.',
  NO_PIPELINES: 'A folder given to `weft pipelines import` holds no pipeline files.',
});
