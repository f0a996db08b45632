// The booking page (docs/bookings.md). Progressive: without JavaScript the client picks the zone
// and presses "Use this time zone" (stored on the account), then "Show times"; with it, a first
// visit stores the browser's own zone, and a change of zone, mode or length shows the times at once.

const page = document.querySelector(".book");
const choice = document.getElementById("book-choice");
const zoneForm = document.getElementById("book-zone");

if (page && choice && zoneForm) {
  const zoneSelect = zoneForm.querySelector("select[name=time_zone]");
  if (page.hasAttribute("data-detect-zone") && zoneSelect) {
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const known = [...zoneSelect.options].some((option) => option.value === browserZone);
    if (known) {
      zoneSelect.value = browserZone;
      zoneForm.requestSubmit();
    }
  }
  zoneForm.addEventListener("change", () => zoneForm.requestSubmit());
  choice.addEventListener("change", () => choice.requestSubmit());
  // A list drawn a while ago may be stale (another client booked): draw it again on coming back.
  let hiddenAt = 0;
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      hiddenAt = Date.now();
    } else if (hiddenAt && Date.now() - hiddenAt > 60_000) {
      window.location.reload();
    }
  });
}
