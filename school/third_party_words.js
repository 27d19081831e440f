/*
 * Words of the Django admin's scripts (the two-list picker of a cycle's teachers, the date
 * picker) that Django's own Greek, Arabic, Persian or Ukrainian script catalogues leave in
 * English. Listing them here puts them in our djangojs catalogue (`make messages`), which the
 * admin's /admin/jsi18n/ reads before Django's own; a word left untranslated there falls back
 * to Django's translation, if it has one.
 *
 * No page loads this file: it only has to be found by makemessages.
 */
/* global gettext, ngettext, pgettext */
"use strict";

const selectFilter = [
  gettext('Choose %s by selecting them and then select the "Choose" arrow button.'),
  gettext("Choose all %s"),
  gettext("Choose selected %s"),
  gettext('Remove %s by selecting them and then select the "Remove" arrow button.'),
  gettext("Remove all %s"),
  gettext("Remove selected %s"),
  gettext("Type into this box to filter down the list of selected %s."),
  gettext("(click to clear)"),
  ngettext("%s selected option not visible", "%s selected options not visible", 1),
];

const actions = [
  gettext("You have selected an action, but you haven’t saved your changes to individual fields yet. Please click OK to save. You’ll need to re-run the action."),
  gettext("You have selected an action, and you haven’t made any changes on individual fields. You’re probably looking for the Go button rather than the Save button."),
];

const calendar = [
  gettext("Sunday"),
  gettext("Monday"),
  gettext("Tuesday"),
  gettext("Wednesday"),
  gettext("Thursday"),
  gettext("Friday"),
  gettext("Saturday"),
  pgettext("abbrev. day Sunday", "Sun"),
  pgettext("abbrev. day Monday", "Mon"),
  pgettext("abbrev. day Tuesday", "Tue"),
  pgettext("abbrev. day Wednesday", "Wed"),
  pgettext("abbrev. day Thursday", "Thur"),
  pgettext("abbrev. day Friday", "Fri"),
  pgettext("abbrev. day Saturday", "Sat"),
];
