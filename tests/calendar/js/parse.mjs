// Parses an iCalendar text from standard input with Mozilla's ical.js (Thunderbird's parser)
// and prints what a calendar client would see, as JSON, for the Python tests to check.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(0, "utf8");
const jcal = ICAL.parse(text);
const cal = new ICAL.Component(jcal);
const zones = cal.getAllSubcomponents("vtimezone").map((vtz) => {
  const tz = new ICAL.Timezone(vtz);
  ICAL.TimezoneService.register(tz.tzid, tz);
  return tz.tzid;
});
const props = {};
for (const p of cal.getAllProperties()) {
  props[p.name] = { value: String(p.getFirstValue()), params: p.toJSON()[1] };
}
const order = cal.getAllSubcomponents().map((c) => c.name);
const events = cal.getAllSubcomponents("vevent").map((vevent) => {
  const ev = new ICAL.Event(vevent);
  const tzids = ["dtstart", "dtend"].map((n) => vevent.getFirstProperty(n)?.getParameter("tzid"));
  return {
    uid: ev.uid,
    sequence: ev.sequence,
    summary: ev.summary,
    location: ev.location,
    description: ev.description,
    status: vevent.getFirstPropertyValue("status"),
    url: vevent.getFirstPropertyValue("url"),
    dtstamp: vevent.getFirstPropertyValue("dtstamp")?.toJSDate().toISOString() ?? null,
    start: ev.startDate.toJSDate().toISOString(),
    end: ev.endDate.toJSDate().toISOString(),
    start_zone: ev.startDate.zone?.tzid ?? null,
    tzids,
    organizer: vevent.getFirstPropertyValue("organizer"),
    categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
    alarms: vevent.getAllSubcomponents("valarm").map((a) => ({
      action: a.getFirstPropertyValue("action"),
      trigger: String(a.getFirstPropertyValue("trigger")),
      seconds: a.getFirstPropertyValue("trigger").toSeconds(),
      description: a.getFirstPropertyValue("description"),
    })),
  };
});
process.stdout.write(JSON.stringify({ zones, props, order, events }));
