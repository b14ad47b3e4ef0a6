// Notifications through HA: the configured notify service (e.g. notify.mobile_app_phone), else a
// persistent notification in HA's sidebar.
import type { HaClient } from "../client.js";

export async function notifyThroughHa(
  ha: Pick<HaClient, "callService">,
  notifyService: string | undefined,
  title: string,
  message: string,
): Promise<void> {
  const [domain, service] = notifyService?.includes(".")
    ? notifyService.split(".", 2)
    : [undefined, undefined];
  if (domain && service) {
    await ha.callService(domain, service, { title, message });
    return;
  }
  await ha.callService("persistent_notification", "create", {
    title,
    message,
    notification_id: "battery_planner",
  });
}
