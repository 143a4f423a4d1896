package dev.strata.settings.service;

import io.smallrye.mutiny.Uni;

/**
 * A way out to the user besides the inbox (e-mail, webhooks). {@link NotificationService} calls {@link #enqueue}
 * only for a user who wants the notification's category on this channel, from the durable consumer: the channel
 * records durably (in its own Postgres outbox, idempotent per event, user and target) that it owes a delivery, and
 * its own worker delivers it. A failed enqueue fails the event, which is then redelivered; so it must be safe to
 * call twice for the same event.
 */
public interface DeliveryChannel {

    /** The channel's name in the preferences: {@code email} or {@code webhook}. */
    String name();

    Uni<Void> enqueue(Notification n);
}
