//! Training load (fitness, fatigue, form, ACWR, monotony) and per-muscle soreness forecast.
//!
//! Pure: plain functions over activities and days, time passed in.
