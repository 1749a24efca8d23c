"""Screen capture: grab monitors, detect change, know the windows, veto private ones, OCR in a worker.

Modules: ``grab`` (mss), ``change`` (exact buffer diff, scroll, pHash), ``window``
(which windows are visible, per OS), ``idle`` (input idle / screen lock),
``privacy`` (the veto and pause), ``encode`` (WebP), ``daemon`` (the threads),
``sink`` (where finished frames go: the vault).
"""
