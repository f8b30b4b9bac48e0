/* Goodwill gestures' routes (handlers_gesture.c): a credit, gift or waiver
 * recorded on a contact (POST/GET /api/v1/contacts/{id}/gestures), the
 * pending ones decided (/api/v1/gestures/{id}/approve|refuse), the
 * tenant's currency and limits per role (/api/v1/gestures/settings) and the
 * report per reason and per agent (/api/v1/reports/gestures). The rules are
 * model/gesture.c's; the rows store/gesture.c's. */
#ifndef GUICHET_DAEMON_HANDLERS_GESTURE_H
#define GUICHET_DAEMON_HANDLERS_GESTURE_H

#include "daemon/http.h"

int run_gesture_create(struct request *r, struct store *db);
int run_contact_gestures(struct request *r, struct store *db);
int run_gesture_list(struct request *r, struct store *db);
int run_gesture_get(struct request *r, struct store *db);
int run_gesture_approve(struct request *r, struct store *db);
int run_gesture_refuse(struct request *r, struct store *db);
int run_gesture_settings_get(struct request *r, struct store *db);
int run_gesture_settings_put(struct request *r, struct store *db);
int run_report_gestures(struct request *r, struct store *db);

#endif
