// Detection over a live Home Assistant: list the registry, read the candidates' states, detect.
// A Home Assistant that refuses the registry list (an older one, or a token without admin rights)
// yields an empty detection and a reason, never an error: the options the user typed still work.
import { errorMessage } from "../errors.js";
import type { HaClient } from "../ha/client.js";
import { candidateStateIds, type Detection, detectSetup } from "./detect.js";
import { listRegistryEntities, readStatesOf } from "./registry.js";

export interface Discovery {
  detection: Detection;
  /** Why nothing could be detected, when that is the case. */
  failure?: string;
}

export async function discoverSetup(
  client: Pick<HaClient, "sendMessage" | "subscribeEntities">,
): Promise<Discovery> {
  try {
    const entities = await listRegistryEntities(client);
    const states = await readStatesOf(client, candidateStateIds(entities));
    return { detection: detectSetup(entities, states) };
  } catch (error) {
    return {
      detection: { findings: [], hints: [], options: {} },
      failure: `auto-detection unavailable: ${errorMessage(error)}`,
    };
  }
}
