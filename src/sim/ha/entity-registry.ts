// The entity registry as `config/entity_registry/list_for_display` shows it: every entity with a
// state, in HA's short-key form (`ei` entity id, `pl` platform), plus HA's table of entity
// categories. The simulator has no devices or areas, so those keys are never sent; disabled
// entities have no state here and, as in HA, are not listed.
import type { HaEntityState } from "../../ha/client.js";

const ENTITY_CATEGORIES = { 0: "config", 1: "diagnostic" };

export function entityRegistryDisplayList(
  states: readonly HaEntityState[],
  platforms: Readonly<Record<string, string>>,
) {
  return {
    entity_categories: ENTITY_CATEGORIES,
    entities: states.map((s) => {
      const platform = platforms[s.entity_id];
      return platform === undefined ? { ei: s.entity_id } : { ei: s.entity_id, pl: platform };
    }),
  };
}
