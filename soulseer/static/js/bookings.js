// The booking page (docs/bookings.md). Progressive: without JavaScript the client picks the zone
// and presses "Show times"; with it, a first visit asks again in the browser's own zone, and a
// change of zone, mode or length shows the times at once.

const page = document.querySelector(".book");
const choice = document.getElementById("book-choice");

if (page && choice) {
  const zoneSelect = choice.querySelector("select[name=tz]");
  if (page.hasAttribute("data-detect-zone") && zoneSelect) {
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const known = [...zoneSelect.options].some((option) => option.value === browserZone);
    if (known && browserZone !== zoneSelect.value) {
      const url = new URL(window.location.href);
      url.searchParams.set("tz", browserZone);
      window.location.replace(url.toString());
    }
  }
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
