package dev.strata.platform.testapp;

import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A change to write in the same transaction as an outbox event. */
@Entity
@Table(name = "widgets")
public class Widget {
    @Id
    public UUID id;
    public String name;
}
