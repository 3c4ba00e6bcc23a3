// The ticket page's canned replies: "Put into the reply" inserts the chosen text at the
// cursor of the reply box and puts the cursor after it. Without script the same button
// reloads the page with the reply box filled in (?canned=<id>).
document.querySelectorAll("form.canned-picker").forEach((picker) => {
  const box = document.getElementById(picker.dataset.cannedFor);
  if (!box) return;
  picker.addEventListener("submit", (event) => {
    event.preventDefault();
    const option = picker.elements.canned.selectedOptions[0];
    if (!option) return;
    const text = option.dataset.text;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? start;
    box.setRangeText(text, start, end, "end");
    box.focus();
  });
});
