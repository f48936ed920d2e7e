"""The size and start-up baseline: a bare PySide6 window, bundled by the same spec.

With --self-test it shows the window offscreen and exits, like `trainer --self-test`.
"""

import os
import sys

if __name__ == "__main__":
    if "--self-test" in sys.argv:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("bare window"))
    window.show()
    app.processEvents()
    if "--self-test" in sys.argv:
        print("self-test passed")
        sys.exit(0)
    sys.exit(app.exec())
