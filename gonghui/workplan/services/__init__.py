"""Every write of the workplan app, by subdomain: `departments` (the federation's units and who
works in them), `plans` (import: upload → preview → save), `breakdown` (responsible departments,
milestones, delegated sub-tasks), `progress` (reports and attachments), `reminders` (in-app
notifications)."""
