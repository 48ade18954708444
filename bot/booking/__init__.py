"""Booking the free assessment: slots, offers, bookings, reminders."""
