// The new-draft page: choosing a template sets the document type and, if the
// title is still empty, the template's title for the drafter to complete.
(() => {
  const data = document.getElementById("draft-templates");
  const pick = document.getElementById("id_template");
  if (!data || !pick) return;
  const templates = JSON.parse(data.textContent);
  const type = document.getElementById("id_document_type");
  const title = document.getElementById("id_title");
  pick.addEventListener("change", () => {
    const chosen = templates[pick.value];
    if (!chosen) return;
    type.value = chosen.type;
    if (!title.value.trim()) title.value = chosen.title;
  });
})();
