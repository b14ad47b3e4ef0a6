// Reads what detection needs from Home Assistant without pulling the state machine: the entity
// registry's display list (a few dozen bytes an entity, even in a home of thousands) and then the
// states of the handful of candidates only.
import { z } from "zod";
import type { HaClient, HaEntityState } from "../ha/client.js";
import type { RegistryEntity } from "./detect.js";

// HA core's config/entity_registry.py `list_for_display` answers with short keys: `ei` entity id,
// `pl` platform (others: name, device, area, category, hidden…, unused here). Disabled entities are
// left out by HA, which is why detection also looks for the Octopus rate sensors.
const displayListSchema = z.object({
  entities: z.array(z.object({ ei: z.string(), pl: z.string().optional() }).passthrough()).max(200_000),
});

export async function listRegistryEntities(client: Pick<HaClient, "sendMessage">): Promise<RegistryEntity[]> {
  const result = displayListSchema.parse(
    await client.sendMessage({ type: "config/entity_registry/list_for_display" }),
  );
  return result.entities.map((e) =>
    e.pl === undefined ? { entityId: e.ei } : { entityId: e.ei, platform: e.pl },
  );
}

/** The current states of exactly these entities (one `subscribe_entities`, closed at once). */
export async function readStatesOf(
  client: Pick<HaClient, "subscribeEntities">,
  entityIds: readonly string[],
  timeoutMs = 10_000,
): Promise<Record<string, HaEntityState>> {
  if (entityIds.length === 0) return {};
  let unsubscribe: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<Record<string, HaEntityState>>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no states for ${entityIds.length} entities within ${timeoutMs} ms`)),
        timeoutMs,
      );
      client
        .subscribeEntities(entityIds, (states) => resolve({ ...states }))
        .then((unsub) => {
          unsubscribe = unsub;
        }, reject);
    });
  } finally {
    clearTimeout(timer);
    await unsubscribe?.().catch(() => undefined);
  }
}
