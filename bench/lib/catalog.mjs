// The data the bench app works on: a price list (stored in Redis) and the order every request sends.

/** A price list of `size` products, keyed by SKU, as the app reads it from Redis. */
export function priceList(size = 200) {
  const catalog = {};
  for (let i = 1; i <= size; i++) {
    const sku = `SKU-${String(i).padStart(4, '0')}`;
    catalog[sku] = {
      name: `Product ${i} (${['small', 'medium', 'large'][i % 3]})`,
      priceCents: 199 + ((i * 7919) % 50_000),
      taxRate: [0.055, 0.1, 0.2][i % 3],
      stock: (i * 31) % 1000,
    };
  }
  return catalog;
}

/** The order every request sends: 20 lines. */
export const ORDER = {
  customer: 'bench-customer-42',
  items: Array.from({ length: 20 }, (_, i) => ({ sku: `SKU-${String(i * 9 + 1).padStart(4, '0')}`, qty: 1 + (i % 4) })),
};
