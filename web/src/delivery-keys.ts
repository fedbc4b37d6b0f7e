/**
 * The buyer's delivery private keys for this tab only (memory): they never leave the browser and
 * are not persisted; the downloaded key file is how a buyer keeps one across sessions.
 */
const keys = new Map<string, Uint8Array>();

export const rememberDeliveryKey = (dealId: bigint, key: Uint8Array) => keys.set(dealId.toString(), key);
export const recallDeliveryKey = (dealId: bigint) => keys.get(dealId.toString());
