"""The files of the documents the process produces: an ``OfficialDocument``
(``workflow.documents``) rendered as an editable .docx in the layout of Hướng dẫn
36-HD/VPTW (party) or Nghị định 30/2020/NĐ-CP (state), and as plain text for a chat."""
