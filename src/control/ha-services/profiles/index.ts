// Every HA-service profile by name (control.profile).
import type { HaServiceProfile } from "../profile-schema.js";
import { foxessProfile } from "./foxess.js";
import { genericProfile } from "./generic.js";
import { givtcpProfile } from "./givtcp.js";
import { huaweiSolarProfile } from "./huawei-solar.js";
import { solaxModbusProfile } from "./solax-modbus.js";
import { sungrowProfile } from "./sungrow.js";
import { victronProfile } from "./victron.js";

export const HA_SERVICE_PROFILES: Readonly<Record<string, HaServiceProfile>> = Object.fromEntries(
  [
    givtcpProfile,
    solaxModbusProfile,
    huaweiSolarProfile,
    sungrowProfile,
    victronProfile,
    foxessProfile,
    genericProfile,
  ].map((p) => [p.name, p]),
);
