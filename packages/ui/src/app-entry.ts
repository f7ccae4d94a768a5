// The served dashboard: registers the elements; index.html holds <qadmin-app>.
import './define';
